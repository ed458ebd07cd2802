package wsroutetest_test

import "fmt"

// exampleTB stands in for the *testing.T of a test, which an Example function does not
// have: it prints failures, stops at a fatal one, and runs the cleanups at finish.
type exampleTB struct{ cleanups []func() }

func newExampleTB() *exampleTB { return &exampleTB{} }

func (t *exampleTB) Helper()                           {}
func (t *exampleTB) Cleanup(f func())                  { t.cleanups = append(t.cleanups, f) }
func (t *exampleTB) Errorf(format string, args ...any) { fmt.Printf(format+"\n", args...) }
func (t *exampleTB) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// finish runs the cleanups, the last registered first, as testing does.
func (t *exampleTB) finish() {
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
}
