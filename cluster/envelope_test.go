package cluster_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wsroute/wsroute/cluster"
)

func envelopes() map[string]cluster.Envelope {
	return map[string]cluster.Envelope{
		"broadcast":      {Kind: cluster.KindBroadcast, Origin: "n1", Seq: 1, Target: cluster.All("n1-abc"), Mode: cluster.ModeText, Payload: []byte(`{"a":1}`)},
		"url":            {Kind: cluster.KindURL, Origin: "n1", Seq: 300, Target: cluster.URL("/chat/lobby/"), Mode: cluster.ModeBinary, Payload: []byte{0, 255}},
		"room":           {Kind: cluster.KindRoom, Origin: "node_2", Seq: 1 << 40, Target: cluster.Room("games", "a-1", "b-2"), Mode: cluster.ModeText, Payload: []byte("hi")},
		"rooms on a url": {Kind: cluster.KindRoom, Origin: "node_2", Seq: 3, Target: cluster.Target{Kind: cluster.KindRoom, Room: "a", Rooms: []string{"b", "c"}, URL: "/chat/1/", Except: []string{"x-1"}}, Mode: cluster.ModeBinary, Payload: []byte{0, 1}},
		"ids":            {Kind: cluster.KindIDs, Origin: "n1", Seq: 7, Target: cluster.IDs("n2-x", "n2-y"), Mode: cluster.ModeText, Payload: []byte("direct")},
		"empty":          {Kind: cluster.KindBroadcast, Origin: "n1", Seq: 2, Target: cluster.All(), Mode: cluster.ModeText, Payload: []byte{}},
		"close":          {Kind: cluster.KindClose, Origin: "n1", Seq: 8, Client: "n2-x", Code: 4003, Reason: "forbidden"},
		"heartbeat":      {Kind: cluster.KindHeartbeat, Origin: "n1", Seq: 9, Counts: cluster.Counts{Total: 5, URLs: map[string]int{"/a/": 2, "/b/": 3}, Rooms: map[string]int{"r": 1}}},
		"leaving":        {Kind: cluster.KindHeartbeat, Origin: "n1", Seq: 10, Leaving: true},
	}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	for name, e := range envelopes() {
		t.Run(name, func(t *testing.T) {
			data, err := cluster.Encode(nil, &e, cluster.DefaultMaxEnvelope)
			require.NoError(t, err, "Encode(%s)", name)
			assert.Equal(t, byte(cluster.Version), data[0], "version byte")
			got, err := cluster.Decode(data, cluster.DefaultMaxEnvelope)
			require.NoError(t, err, "Decode(Encode(%s))", name)
			if len(e.Payload) == 0 {
				e.Payload = nil
			}
			if len(got.Payload) == 0 {
				got.Payload = nil
			}
			assert.Equal(t, e, got, "round trip of %s", name)
		})
	}
}

func TestEncodeRefuses(t *testing.T) {
	long := strings.Repeat("x", 5000)
	for name, tc := range map[string]struct {
		e    cluster.Envelope
		max  int
		want error
	}{
		"bad origin":      {cluster.Envelope{Kind: cluster.KindBroadcast, Origin: "a.b", Target: cluster.All(), Mode: cluster.ModeText}, 1 << 20, cluster.ErrBadID},
		"no mode":         {cluster.Envelope{Kind: cluster.KindBroadcast, Origin: "a", Target: cluster.All()}, 1 << 20, cluster.ErrMalformed},
		"kind mismatch":   {cluster.Envelope{Kind: cluster.KindRoom, Origin: "a", Target: cluster.All(), Mode: cluster.ModeText}, 1 << 20, cluster.ErrMalformed},
		"unknown kind":    {cluster.Envelope{Kind: 99, Origin: "a"}, 1 << 20, cluster.ErrMalformed},
		"long room":       {cluster.Envelope{Kind: cluster.KindRoom, Origin: "a", Target: cluster.Room(long), Mode: cluster.ModeText}, 1 << 20, cluster.ErrMalformed},
		"close code 999":  {cluster.Envelope{Kind: cluster.KindClose, Origin: "a", Client: "b-1", Code: 999}, 1 << 20, cluster.ErrMalformed},
		"long reason":     {cluster.Envelope{Kind: cluster.KindClose, Origin: "a", Client: "b-1", Code: 1000, Reason: long}, 1 << 20, cluster.ErrMalformed},
		"payload too big": {cluster.Envelope{Kind: cluster.KindBroadcast, Origin: "a", Target: cluster.All(), Mode: cluster.ModeText, Payload: make([]byte, 100)}, 64, cluster.ErrTooLarge},
	} {
		t.Run(name, func(t *testing.T) {
			dst := []byte("keep")
			out, err := cluster.Encode(dst, &tc.e, tc.max)
			require.ErrorIs(t, err, tc.want, "Encode(%s)", name)
			assert.Equal(t, "keep", string(out), "Encode leaves dst as it was on error")
		})
	}
}

func TestDecodeRefuses(t *testing.T) {
	good, err := cluster.Encode(nil, &cluster.Envelope{Kind: cluster.KindClose, Origin: "n1", Seq: 1, Client: "n2-x", Code: 1000, Reason: "r"}, 1<<20)
	require.NoError(t, err)
	hb, err := cluster.Encode(nil, &cluster.Envelope{Kind: cluster.KindHeartbeat, Origin: "n1", Seq: 1, Counts: cluster.Counts{Total: 1}}, 1<<20)
	require.NoError(t, err)
	with := func(b []byte, i int, v byte) []byte { c := bytes.Clone(b); c[i] = v; return c }
	for name, tc := range map[string]struct {
		data []byte
		max  int
		want error
	}{
		"empty":           {nil, 1 << 20, cluster.ErrMalformed},
		"short":           {[]byte{1, 1, 1}, 1 << 20, cluster.ErrMalformed},
		"version 0":       {with(good, 0, 0), 1 << 20, cluster.ErrVersion},
		"version 2":       {with(good, 0, 2), 1 << 20, cluster.ErrVersion},
		"unknown kind":    {with(good, 1, 77), 1 << 20, cluster.ErrMalformed},
		"close flags":     {with(good, 2, 1), 1 << 20, cluster.ErrMalformed},
		"close code 5000": {with(with(good, len(good)-4, 0x13), len(good)-3, 0x88), 1 << 20, cluster.ErrMalformed},
		"heartbeat bits":  {with(hb, 2, 6), 1 << 20, cluster.ErrMalformed},
		"message mode 0":  {with(good, 1, byte(cluster.KindBroadcast)), 1 << 20, cluster.ErrMalformed},
		"bad origin":      {with(good, 4, '.'), 1 << 20, cluster.ErrMalformed},
		"truncated":       {good[:len(good)-1], 1 << 20, cluster.ErrMalformed},
		"trailing":        {append(bytes.Clone(good), 0), 1 << 20, cluster.ErrMalformed},
		"over the cap":    {good, len(good) - 1, cluster.ErrTooLarge},
		"huge count":      {[]byte{1, byte(cluster.KindIDs), 1, 1, 'a', 1, 0xff, 0xff, 0xff, 0xff, 0x0f}, 1 << 20, cluster.ErrMalformed},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cluster.Decode(tc.data, tc.max)
			require.ErrorIs(t, err, tc.want, "Decode(%s) = %v", name, err)
		})
	}
}

// FuzzEnvelope: Decode never panics, and whatever it accepts encodes back to an envelope
// that decodes the same.
func FuzzEnvelope(f *testing.F) {
	for _, e := range envelopes() {
		data, err := cluster.Encode(nil, &e, cluster.DefaultMaxEnvelope)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte{1, 4, 1, 1, 'a', 1, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := cluster.Decode(data, 1<<16)
		if err != nil {
			if !errors.Is(err, cluster.ErrMalformed) && !errors.Is(err, cluster.ErrVersion) && !errors.Is(err, cluster.ErrTooLarge) {
				t.Fatalf("Decode error %v is none of the sentinels", err)
			}
			return
		}
		again, err := cluster.Encode(nil, &e, 1<<17)
		if err != nil {
			t.Fatalf("Encode of a decoded envelope: %v (%+v)", err, e)
		}
		e2, err := cluster.Decode(again, 1<<17)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(x))): %v", err)
		}
		if e.Kind != e2.Kind || e.Origin != e2.Origin || e.Seq != e2.Seq || !bytes.Equal(e.Payload, e2.Payload) ||
			e.Counts.Total != e2.Counts.Total || e.Client != e2.Client || e.Reason != e2.Reason || len(e.Target.Except) != len(e2.Target.Except) {
			t.Fatalf("round trip changed the envelope:\n%+v\n%+v", e, e2)
		}
	})
}

func TestIDs(t *testing.T) {
	for id, want := range map[string]bool{"a": true, "node_1": true, "ABCdef0123456789ABCdef0123456789": true,
		"": false, "a-b": false, "a.b": false, "*": false, ">": false, "a b": false, "é": false,
		"ABCdef0123456789ABCdef01234567890": false} {
		assert.Equal(t, want, cluster.ValidNodeID(id), "ValidNodeID(%q)", id)
	}
	assert.True(t, cluster.ValidNodeID(cluster.NewNodeID()))
	assert.NotEqual(t, cluster.NewNodeID(), cluster.NewNodeID())

	id := cluster.ClientID("n1", "x-Y_z")
	node, ok := cluster.NodeOf(id)
	assert.True(t, ok)
	assert.Equal(t, "n1", node, "NodeOf(%q)", id)
	for _, bad := range []string{"", "n1", "n1-", "-x", "a.b-x", "a*-x", "wsroute.all-x"} {
		_, ok := cluster.NodeOf(bad)
		assert.False(t, ok, "NodeOf(%q)", bad)
	}
	assert.Equal(t, "wsroute.all", cluster.SubjectAll(cluster.DefaultPrefix))
	assert.Equal(t, "wsroute.node.n1", cluster.SubjectNode(cluster.DefaultPrefix, "n1"))
}
