package steps

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"

	"github.com/autoconfirm/autoconfirm/internal/bounded"
)

// generated builds the events too large or too raw to commit as readable
// files. Each starts from a committed fixture, so it stays real-shaped.
func generated(fixtures fs.FS, kind string) ([]byte, error) {
	base, err := bounded.ReadFS(fixtures, FixturePath("email-and-phone"), bounded.Fixture, fixtureRule)
	if err != nil {
		return nil, err
	}
	const email = `"mary.major@example.com"`
	switch kind {
	case "an email address of 1 MB":
		return bytes.Replace(base, []byte(email), []byte(`"`+strings.Repeat("m", 1<<20)+`@example.com"`), 1), nil
	case "an event of 6 MB":
		// Just under Lambda's 6,291,456-byte synchronous payload limit.
		pad := 6*1024*1024 - len(base) - 200
		return bytes.Replace(base, []byte(`"validationData": null`),
			[]byte(`"validationData": null, "clientMetadata": {"padding": "`+strings.Repeat("x", pad)+`"}`), 1), nil
	case "invalid UTF-8 in the email address":
		return bytes.Replace(base, []byte(email), []byte("\"mary.\xff\xfemajor@example.com\""), 1), nil
	case "a raw NUL byte in the email address":
		return bytes.Replace(base, []byte(email), []byte("\"mary.\x00major@example.com\""), 1), nil
	case "JSON nested 100000 levels deep":
		n := 100000
		return bytes.Replace(base, []byte(`"validationData": null`),
			[]byte(`"validationData": `+strings.Repeat(`{"a":`, n)+`null`+strings.Repeat(`}`, n)), 1), nil
	}
	return nil, fmt.Errorf("no generated event called %q", kind)
}
