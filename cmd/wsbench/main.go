package main

import (
	"fmt"
	"os"
)

const usage = `usage:
  wsbench run    -scenario=echo|broadcast|idle|slow|churn [-conns=N,...] [-runs=5] [-deflate=off,on] [-payload=pad|text] [-json=FILE] ...
  wsbench server -impl=wsroute|gws [-addr=127.0.0.1:0] [-deflate] [-pprof]
  wsbench client -scenario=... -addr=HOST:PORT ...
Run "wsbench COMMAND -h" for a command's flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runMain(os.Args[2:])
	case "server":
		err = serverMain(os.Args[2:])
	case "client":
		err = clientMain(os.Args[2:])
	case "help", "-h", "-help", "--help":
		fmt.Print(usage)
		return
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsbench:", err)
		os.Exit(1)
	}
}
