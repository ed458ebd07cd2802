//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/internal/wstest"
)

// TestSignals runs the chat command in a process of its own, connects a client, and
// sends the signal: the client is closed with 1001 "going away" and the process exits 0.
func TestSignals(t *testing.T) {
	listening := regexp.MustCompile(`chat listening url=(http://\S+)/`)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), childEnv+"=1", "PORT=0")
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			exited := make(chan error, 1)
			lines := bufio.NewScanner(stderr)
			base := ""
			for base == "" && lines.Scan() {
				if m := listening.FindStringSubmatch(lines.Text()); m != nil {
					base = m[1]
				}
			}
			go func() {
				for lines.Scan() { // drain the log so that the child never blocks on it
				}
				exited <- cmd.Wait()
			}()
			require.NotEmpty(t, base, "the child logged its address")

			c := wstest.Dial(t, wstest.WSURL(base, "/chat/lobby/"), wstest.Options{})
			require.Equal(t, "welcome", c.RecvJSON(t)["type"])
			require.NoError(t, cmd.Process.Signal(sig))
			code, reason := c.WaitClosed(t)
			assert.EqualValues(t, 1001, code)
			assert.Equal(t, "going away", reason)
			select {
			case err := <-exited:
				assert.NoError(t, err, "the command exits with status 0")
			case <-time.After(wstest.Timeout):
				_ = cmd.Process.Kill()
				t.Fatal("the command did not exit")
			}
		})
	}
}
