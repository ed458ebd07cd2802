package prometheus_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
	"github.com/wsroute/wsroute/controller"
	"github.com/wsroute/wsroute/internal/wstest"
	wsprom "github.com/wsroute/wsroute/metrics/prometheus"
	"github.com/wsroute/wsroute/route"
	"github.com/wsroute/wsroute/socket"
)

func TestMain(m *testing.M) { wstest.VerifyNoLeaks(m) }

// TestMetrics serves a registry with the Prometheus observer and checks every metric's
// name, its labels (the route pattern, never a URL) and its value after some traffic.
func TestMetrics(t *testing.T) {
	pr := prom.NewRegistry()
	obs := wsprom.New(pr)
	bus := cluster.NewMemoryBus()
	broker := bus.Connect()
	defer broker.Close()
	reg := route.New(route.Config{Observer: obs, PingInterval: -1, Broker: broker, Cluster: cluster.Config{OnGap: obs.Gap}})
	obs.WatchNode(reg.Node())
	opened := make(chan struct{}, 4)
	reg.ROUTE("SOCKET /echo/{room}/", func(ctl *controller.Controller) {
		ctl.OnOpen(func(*socket.Client) { opened <- struct{}{} })
		ctl.OnMessage(func(c *socket.Client, m socket.Message) { _ = c.Send(map[string]int{"size": m.Size()}) })
	})
	const label = "SOCKET /echo/{room}/ @json <256KB"
	srv := httptest.NewServer(reg)
	defer srv.Close()

	a := wstest.Dial(t, wstest.WSURL(srv.URL, "/echo/a/"), wstest.Options{})
	b := wstest.Dial(t, wstest.WSURL(srv.URL, "/echo/b/"), wstest.Options{})
	<-opened
	<-opened
	for range 4 {
		a.Send(t, map[string]string{"x": "hello"})
		a.RecvJSON(t)
	}
	_, resp, err := wstest.DialErr(wstest.WSURL(srv.URL, "/nowhere/"), wstest.Options{})
	require.Error(t, err)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	b.Close(4000, "bye")
	b.WaitClosed(t)
	scrape := func() string {
		rec := httptest.NewRecorder()
		promhttp.HandlerFor(pr, promhttp.HandlerOpts{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec.Body.String()
	}
	closes := `wsroute_closes_total{code="4000",route="` + label + `"}`
	require.Eventually(t, func() bool { return findLine(scrape(), closes) != "" }, wstest.Timeout, 10*time.Millisecond)

	expect := map[string]float64{
		`wsroute_connections{route="` + label + `"}`:                    1,
		`wsroute_connections_total{route="` + label + `"}`:              2,
		`wsroute_messages_received_total{route="` + label + `"}`:        4,
		`wsroute_messages_sent_total{route="` + label + `"}`:            4,
		`wsroute_bytes_received_total{route="` + label + `"}`:           4 * float64(len(`{"x":"hello"}`)),
		`wsroute_bytes_sent_total{route="` + label + `"}`:               4 * float64(2+len(`{"size":13}`)),
		`wsroute_handshake_refusals_total{code="404",route=""}`:         1,
		`wsroute_closes_total{code="4000",route="` + label + `"}`:       1,
		`wsroute_handler_duration_seconds_count{route="` + label + `"}`: 4,
		`wsroute_broker_invalid_total`:                                  0,
	}
	text := scrape()
	for series, want := range expect {
		line := findLine(text, series)
		require.NotEmpty(t, line, "series %s in\n%s", series, text)
		assert.True(t, strings.HasSuffix(line, " "+formatFloat(want)), "%s: got %q", series, line)
	}
	assert.NotContains(t, text, "/echo/a/", "no concrete URL in any label")
	for _, name := range []string{"wsroute_send_queue_depth", "wsroute_broker_gaps_total", "wsroute_broker_published_total"} {
		assert.Contains(t, text, "# TYPE "+name+" ", "metric %s is registered", name)
	}
	a.Kill()
	require.NoError(t, reg.Shutdown(t.Context()))
}

func findLine(text, series string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(line, series+" ") {
			return line
		}
	}
	return ""
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
