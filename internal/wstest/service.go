package wstest

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the environment variable that turns a missing service into a failure
// instead of a skip. .ci/run sets it, so that CI cannot pass by skipping.
const RequireEnv = "WSROUTE_REQUIRE_SERVICES"

// NeedCommand returns the path of the program name (redis-server, chromium, node) for a
// test that starts it. When it is not installed the test is skipped with a message saying
// how to install it, or fails when RequireEnv is set.
func NeedCommand(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	Missing(t, name+" is not installed ("+install+")")
	return ""
}

// Missing skips t with why, or fails it when RequireEnv is set.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv(RequireEnv) != "" {
		t.Fatalf("%s; %s is set, so this is a failure, not a skip", why, RequireEnv)
	}
	t.Skipf("skipped: %s; set %s=1 to make this a failure", why, RequireEnv)
}

// NeedBrowser returns the paths of chromium and node for a test that drives Debian's
// Chromium with playwright-core from client/node_modules (clientDir is the client
// folder, relative to the test's package), or skips it as NeedCommand does.
func NeedBrowser(t testing.TB, clientDir string) (chromium, node string) {
	t.Helper()
	chromium = NeedCommand(t, "chromium", "apt-get install -y chromium")
	node = NeedCommand(t, "node", "apt-get install -y nodejs npm")
	if _, err := os.Stat(clientDir + "/node_modules/playwright-core"); err != nil {
		Missing(t, "client/node_modules is not installed (cd client && npm ci; ./test.sh does it)")
	}
	return chromium, node
}
