package route_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	"github.com/wsroute/wsroute/route"
)

// TestControllerLookupPrefersFirstRoute: when a "+" and a "-" route both have a controller
// on one URL, Registry.Controller returns the one of the route registered first, and
// Controllers keys them apart.
func TestControllerLookupPrefersFirstRoute(t *testing.T) {
	reg := newReg(route.Config{Authorize: func(r *http.Request) (any, bool, error) {
		return nil, r.Header.Get("X-User") != "", nil
	}})
	routes := map[*controller.Controller]string{}
	ready := make(chan struct{}, 2)
	for _, r := range []string{"-SOCKET /x/", "+SOCKET /x/"} {
		reg.ROUTE(r, func(ctl *controller.Controller) {
			routes[ctl] = ctl.Route()
			ready <- struct{}{}
		})
	}
	base := serve(t, reg)
	wstest.Dial(t, wstest.WSURL(base, "/x/"), wstest.Options{Header: http.Header{"X-User": {"ann"}}})
	<-ready
	wstest.Dial(t, wstest.WSURL(base, "/X"), wstest.Options{})
	<-ready
	require.Eventually(t, func() bool { return len(reg.Controllers()) == 2 }, wstest.Timeout, 10*time.Millisecond)

	ctl := reg.Controller("/X//")
	require.NotNil(t, ctl)
	assert.Equal(t, "-SOCKET /x/ @json <256KB", routes[ctl], "the route registered first")
	all := reg.Controllers()
	assert.Equal(t, "+SOCKET /x/ @json <256KB", routes[all["+/x/"]])
	assert.Equal(t, "-SOCKET /x/ @json <256KB", routes[all["-/x/"]])
	assert.Nil(t, reg.Controller("/y/"))
}
