module github.com/wsroute/wsroute/examples/chat/node

go 1.25.0

replace (
	github.com/wsroute/wsroute => ../../..
	github.com/wsroute/wsroute/cluster/nats => ../../../cluster/nats
	github.com/wsroute/wsroute/cluster/redis => ../../../cluster/redis
	github.com/wsroute/wsroute/metrics/prometheus => ../../../metrics/prometheus
)

require (
	github.com/nats-io/nats-server/v2 v2.14.5
	github.com/prometheus/client_golang v1.24.1
	github.com/redis/rueidis v1.0.79
	github.com/stretchr/testify v1.12.1
	github.com/wsroute/wsroute v0.0.0-00010101000000-000000000000
	github.com/wsroute/wsroute/cluster/nats v0.0.0-00010101000000-000000000000
	github.com/wsroute/wsroute/cluster/redis v0.0.0-00010101000000-000000000000
	github.com/wsroute/wsroute/metrics/prometheus v0.0.0-00010101000000-000000000000
)

require (
	github.com/antithesishq/antithesis-sdk-go v0.7.2-default-no-op // indirect
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/lxzan/gws v1.10.2 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/nats-io/jwt/v2 v2.8.2 // indirect
	github.com/nats-io/nats.go v1.53.0 // indirect
	github.com/nats-io/nkeys v0.4.16 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	github.com/prometheus/client_model v0.6.2 // indirect
	github.com/prometheus/common v0.70.1 // indirect
	github.com/prometheus/procfs v0.21.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/time v0.15.0 // indirect
	google.golang.org/protobuf v1.36.11 // indirect
)
