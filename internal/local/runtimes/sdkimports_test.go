package runtimes

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSDKImportsReadsOnlyFiles: the scan for the SDK modules a Node.js
// handler imports reads the code's own regular files, never a fifo that
// would hang it or a link to /dev/zero that would fill memory.
func TestSDKImportsReadsOnlyFiles(t *testing.T) {
	code := t.TempDir()
	os.WriteFile(filepath.Join(code, "index.mjs"), []byte(`import { X } from "@aws-sdk/client-cognito-identity-provider";`), 0o644)
	if err := syscall.Mkfifo(filepath.Join(code, "pipe.js"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Symlink("/dev/zero", filepath.Join(code, "zero.js"))
	done := make(chan struct{})
	var names []string
	var err error
	go func() { names, err = sdkImports(code); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the scan hung on a fifo")
	}
	if err != nil || strings.Join(names, ",") != "@aws-sdk/client-cognito-identity-provider" {
		t.Errorf("sdkImports = %v, %v", names, err)
	}
}

// TestNodeCodeLinksOut: a link out of a Node.js code directory is refused
// before anything is copied or bundled.
func TestNodeCodeLinksOut(t *testing.T) {
	code, outside := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(outside, "y.js"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(code, "index.ts"), []byte("export const handler = async (e: any) => e;"), 0o644)
	os.Symlink(filepath.Join(outside, "y.js"), filepath.Join(code, "index.js"))
	rt, _ := ParseRuntime("nodejs22.x")
	_, err := Cache{Dir: t.TempDir()}.Prepare(context.Background(), rt, code, "index.handler", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "outside the code") {
		t.Errorf("Prepare = %v; want the link refused", err)
	}
}
