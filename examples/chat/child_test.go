package main

import "os"

// childEnv marks the process that TestSignals starts: the test binary itself, running
// main as the chat command would.
const childEnv = "WSROUTE_CHAT_CHILD"

// runMainIfChild runs main and exits when the process is TestSignals's child.
func runMainIfChild() {
	if os.Getenv(childEnv) == "1" {
		main()
		os.Exit(0)
	}
}
