package main

import (
	"testing"

	"github.com/wsroute/wsroute/internal/wstest"
)

// TestMain checks that the tests leave no goroutine behind (TestRoutes serves a registry).
func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }
