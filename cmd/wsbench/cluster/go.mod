module github.com/wsroute/wsroute/cmd/wsbench/cluster

go 1.25.0

replace (
	github.com/wsroute/wsroute => ../../..
	github.com/wsroute/wsroute/cluster/nats => ../../../cluster/nats
	github.com/wsroute/wsroute/cluster/redis => ../../../cluster/redis
)

require (
	github.com/lxzan/gws v1.10.2
	github.com/nats-io/nats-server/v2 v2.14.5
	github.com/redis/rueidis v1.0.79
	github.com/stretchr/testify v1.12.1
	github.com/wsroute/wsroute v0.0.0-00010101000000-000000000000
	github.com/wsroute/wsroute/cluster/nats v0.0.0-00010101000000-000000000000
	github.com/wsroute/wsroute/cluster/redis v0.0.0-00010101000000-000000000000
)

require (
	github.com/antithesishq/antithesis-sdk-go v0.7.2-default-no-op // indirect
	github.com/google/go-tpm v0.9.8 // indirect
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/minio/highwayhash v1.0.4 // indirect
	github.com/nats-io/jwt/v2 v2.8.2 // indirect
	github.com/nats-io/nats.go v1.53.0 // indirect
	github.com/nats-io/nkeys v0.4.16 // indirect
	github.com/nats-io/nuid v1.0.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)
