module github.com/wsroute/wsroute

// wsroute supports the two most recent major Go releases (Go 1.25 and 1.26 today), like the Go
// project itself. 1.25 is the floor: the code uses testing/synctest, sync.WaitGroup.Go,
// testing.B.Loop and slog.DiscardHandler.
go 1.25

require (
	github.com/dustin/go-humanize v1.1.0
	github.com/klauspost/compress v1.17.9 // gws's own compressor, at the version gws pins
	github.com/lxzan/gws v1.10.2
	github.com/stretchr/testify v1.12.1
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
