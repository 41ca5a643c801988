package redis

import (
	"testing"
	"time"
)

// BenchmarkAnalyze measures the analyzer on redis-benchmark's traffic: SET
// and GET of a 3-byte value, each command in a read of its own and its reply
// in another. An op is one command and its reply.
//
//	go test -run '^$' -bench Analyze -benchmem ./protocols/redis/
func BenchmarkAnalyze(b *testing.B) {
	a := NewAnalyzer()
	now := time.Now()
	a.Feed(c2s, []byte(cmd("AUTH", "lab", "lab")), now)
	a.Feed(s2c, []byte("+OK\r\n"), now)
	set, get := []byte(cmd("SET", "key:__rand_int__", "xxx")), []byte(cmd("GET", "key:__rand_int__"))
	ok, val := []byte("+OK\r\n"), []byte("$3\r\nxxx\r\n")
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			a.Feed(c2s, set, now)
			a.Feed(s2c, ok, now)
		} else {
			a.Feed(c2s, get, now)
			a.Feed(s2c, val, now)
		}
	}
}

// BenchmarkDetail measures building the fields and meaning of a SET, a GET
// and their replies, as the inspector does for a message it shows.
func BenchmarkDetail(b *testing.B) {
	a := NewAnalyzer()
	now := time.Now()
	msgs := a.Feed(c2s, []byte(cmd("SET", "key:__rand_int__", "xxx")), now)
	msgs = append(msgs, a.Feed(s2c, []byte("+OK\r\n"), now)...)
	msgs = append(msgs, a.Feed(c2s, []byte(cmd("GET", "key:__rand_int__")), now)...)
	msgs = append(msgs, a.Feed(s2c, []byte("$3\r\nxxx\r\n"), now)...)
	b.ReportAllocs()
	for b.Loop() {
		for i := range msgs {
			msgs[i].Detail()
		}
	}
}
