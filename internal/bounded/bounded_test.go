package bounded

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestReadFile: a file over its limit is refused, whether stat says so (a
// large file) or not (/proc/self/maps, through a symlink, says 0 bytes
// and holds kilobytes; /dev/zero never ends), after reading no more than
// the limit.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	os.WriteFile(small, []byte("12345"), 0o644)
	large := filepath.Join(dir, "large")
	os.WriteFile(large, []byte("123456"), 0o644)
	maps := filepath.Join(dir, "maps")
	os.Symlink("/proc/self/maps", maps)
	tests := []struct {
		name, path string
		want       error
	}{
		{"at the limit", small, nil},
		{"over it, as stat says", large, ErrTooLarge},
		{"over it, though stat says 0", maps, ErrTooLarge},
		{"without end", "/dev/zero", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadFile(tt.path, 5, "the test's limit"); !errors.Is(err, tt.want) {
				t.Errorf("ReadFile: %v, want %v", err, tt.want)
			}
			f, err := os.Open(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := io.ReadAll(LimitFile(f, 5, "the test's limit")); !errors.Is(err, tt.want) {
				t.Errorf("LimitFile: %v, want %v", err, tt.want)
			}
		})
	}
}
