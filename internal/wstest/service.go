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
