package wstest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// LaunchRedis starts the redis-server at path on a free loopback port, saving nothing to
// disk, and returns its address once it answers PING, with a function that kills it.
func LaunchRedis(path string) (addr string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	_ = l.Close()
	dir, err := os.MkdirTemp("", "wsroute-redis")
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(path, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err := cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	stop = func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = os.RemoveAll(dir) }
	addr = "127.0.0.1:" + port
	for deadline := time.Now().Add(Timeout); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_, _ = c.Write([]byte("PING\r\n"))
			buf := make([]byte, 7)
			_ = c.SetReadDeadline(time.Now().Add(time.Second))
			n, _ := c.Read(buf)
			_ = c.Close()
			if string(buf[:n]) == "+PONG\r\n" {
				return addr, stop, nil
			}
		}
		if time.Now().After(deadline) {
			stop()
			return "", nil, fmt.Errorf("redis-server on %s not ready within %v", addr, Timeout)
		}
		time.Sleep(20 * time.Millisecond) // polling a process that has no ready signal
	}
}

// StartRedis is LaunchRedis for a test: without redis-server the test skips, or fails
// under RequireEnv; the server is killed at cleanup.
func StartRedis(t testing.TB) string {
	t.Helper()
	path := NeedCommand(t, "redis-server", "apt-get install redis-server")
	addr, stop, err := LaunchRedis(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return addr
}
