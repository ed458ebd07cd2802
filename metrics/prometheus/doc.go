// Package prometheus adapts wsroute's route.Observer to prometheus/client_golang. It is a
// module of its own, so that wsroute's module does not depend on the Prometheus client:
//
//	obs := prometheus.New(promclient.DefaultRegisterer)
//	reg := route.New(route.Config{Observer: obs})
//	http.Handle("/metrics", promhttp.Handler())
//
// Every metric is labelled by the route's pattern, never by a concrete URL or a client
// id, so that the number of series stays bounded. The names are stable; they are listed
// in docs/operations.md.
package prometheus
