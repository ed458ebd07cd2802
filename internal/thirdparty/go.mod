module github.com/wsroute/wsroute/internal/thirdparty

go 1.25

replace github.com/wsroute/wsroute => ../..

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/stretchr/testify v1.12.1
	github.com/wsroute/wsroute v0.0.0-00010101000000-000000000000
)

require (
	github.com/klauspost/compress v1.17.9 // indirect
	github.com/lxzan/gws v1.10.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
