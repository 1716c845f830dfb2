package sandbox

import (
	"net"
	"path/filepath"
	"testing"
	"time"
)

// TestServeIsBounded: a function that holds connections open on a relay
// gets at most MaxRelayed of them relayed; past that each is closed at once,
// and the relay still serves once they are let go.
func TestServeIsBounded(t *testing.T) {
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	go func() {
		for {
			c, err := up.Accept()
			if err != nil {
				return
			}
			go func() { buf := make([]byte, 1); c.Read(buf); c.Close() }()
		}
	}()
	sock := filepath.Join(t.TempDir(), "out-0")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go Serve(ln, "tcp", up.Addr().String())
	var conns []net.Conn
	for range MaxRelayed + 20 {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	time.Sleep(300 * time.Millisecond) // the relay has accepted them all
	var held []net.Conn
	closed := 0
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
			closed++ // closed by the relay: over the bound
			c.Close()
			continue
		}
		held = append(held, c)
	}
	if len(held) != MaxRelayed || closed != 20 {
		t.Errorf("%d connections held and %d closed; want %d and 20", len(held), closed, MaxRelayed)
	}
	for _, c := range held {
		c.Close()
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
