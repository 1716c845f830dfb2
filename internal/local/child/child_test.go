package child

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name   string
		script string
		cancel bool
		want   int
	}{
		{"success", "exit 0", false, 0},
		{"a failure's status", "exit 3", false, 3},
		{"SIGINT lets it clean up", `trap 'exit 130' INT; sleep 5 & wait`, true, 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				time.AfterFunc(200*time.Millisecond, cancel)
			}
			got, err := Run(ctx, exec.Command("sh", "-c", tt.script))
			if err != nil || got != tt.want {
				t.Errorf("got %d, %v; want %d", got, err, tt.want)
			}
		})
	}
	if _, err := Run(context.Background(), exec.Command("/nonexistent")); err == nil {
		t.Error("a command that cannot start gave no error")
	}
}
