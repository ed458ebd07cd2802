package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/wsroute/wsroute/client"
)

// The client mounted at /wsroute.js: the first GET gets the file and its ETag, the
// browser's revalidation with If-None-Match gets 304.
func ExampleHandler() {
	mux := http.NewServeMux()
	mux.Handle("GET /wsroute.js", client.Handler())
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/wsroute.js")
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))

	req, _ := http.NewRequest("GET", srv.URL+"/wsroute.js", nil)
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	// Output:
	// 200 text/javascript; charset=utf-8 no-cache
	// 304
}
