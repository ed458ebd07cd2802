// Package client serves wsroute's browser client, the ES module built from client/src
// (TypeScript) into client/dist/wsroute.js and embedded in this package.
//
// Mount [Handler] where pages can import it, usually at /wsroute.js:
//
//	mux.Handle("GET /wsroute.js", client.Handler())
//
// and use it from a page:
//
//	<script type="module">
//	import { connect } from '/wsroute.js'
//	const ws = connect('/chat/room1/', { token: () => fetch('/token').then(r => r.text()) })
//	ws.on('msg', (m) => console.log(m.from, m.body))
//	</script>
//
// The client reconnects when the server's close code says so (the table of
// docs/close-codes.md is compiled into it), matches replies to requests by callbackid,
// buffers sends while offline, and with shared: true uses one connection for every tab
// of the origin. docs/client.md describes the whole API.
package client
