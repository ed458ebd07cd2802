package hub

import (
	"testing"

	"github.com/wsroute/wsroute/internal/wstest"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }
