// Command notify sends Odac-style real-time notifications: each signed-in user's sockets
// join the room "user-<id>", and an ordinary HTTP handler elsewhere in the program
// notifies one user through the registry.
//
//	go run ./examples/notify
//	websocat 'ws://localhost:8002/notifications/?token=token-42'     # Ada, user 42
//	curl -d message=hello 'http://localhost:8002/notify?user=42'      # {"delivered":1}
//
// Routes:
//
//	+SOCKET /notifications/   signed-in users only (token in ?token=…, else closed with 4001);
//	                          sends {"type":"welcome","user":…}, then notifications
//	SOCKET /live-updates/     an update every second,
//	                          one delayed message after 5 s; both stop when the socket closes
//	POST /notify?user=ID      form field "message"; answers {"delivered":N}, N sockets (tabs)
//	POST /broadcast           form field "message"; to every signed-in socket
//
// PORT overrides the port.
package main
