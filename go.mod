module github.com/wsroute/wsroute

go 1.25

require (
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/klauspost/compress v1.17.9 // indirect
	github.com/lxzan/gws v1.10.2 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
)
