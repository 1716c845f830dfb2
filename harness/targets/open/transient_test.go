package open

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/smithy-go"
)

// TestTransient: a preflight read is made again while the connection
// breaks, three times at most, and never again once the service answered.
func TestTransient(t *testing.T) {
	broken := errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: use of closed network connection")
	refused := &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "User pool does not exist."}
	for _, tt := range []struct {
		name  string
		errs  []error
		calls int
		ok    bool
	}{
		{"a broken connection, then an answer", []error{broken, nil}, 2, true},
		{"broken three times", []error{broken, broken, broken, nil}, 3, false},
		{"the service refuses", []error{refused, nil}, 1, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			_, err := transient(context.Background(), func() (int, error) {
				err := tt.errs[calls]
				calls++
				return 1, err
			})
			if calls != tt.calls || (err == nil) != tt.ok {
				t.Errorf("%d calls, error %v; want %d calls, success %v", calls, err, tt.calls, tt.ok)
			}
		})
	}
}
