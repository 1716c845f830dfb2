// Package report turns godog's cucumber JSON into the reports people read: a
// self-contained HTML page for product reviews, with a conformance matrix
// across targets, and a JUnit file whose skipped scenarios show as skipped.
package report

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// Feature, Scenario, Step and Embedding are the parts of godog's cucumber
// JSON that the reports use.
type Feature struct {
	URI         string     `json:"uri"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Elements    []Scenario `json:"elements"`
}

// Scenario is one scenario, or one row of a Scenario Outline.
type Scenario struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Line int    `json:"line"`
	Tags []struct {
		Name string `json:"name"`
	} `json:"tags"`
	Steps []Step `json:"steps"`
}

// Step is one step with its result.
type Step struct {
	Keyword string `json:"keyword"`
	Name    string `json:"name"`
	Result  struct {
		Status string `json:"status"`
		Error  string `json:"error_message"`
	} `json:"result"`
	Embeddings []Embedding `json:"embeddings"`
}

// Embedding is an attachment (godog.Attach) with base64 data.
type Embedding struct {
	Name     string `json:"name"`
	MimeType string `json:"mime_type"`
	Data     string `json:"data"`
}

// Status is a scenario's outcome.
type Status string

// The outcomes, from worst to best.
const (
	Failed  Status = "failed"
	Skipped Status = "skipped" // some steps were not checked
	Passed  Status = "passed"
)

// Status reduces the steps' results: any failed, undefined, pending or
// ambiguous step fails the scenario; otherwise any skipped step marks it
// skipped, because then it was not fully checked.
func (s Scenario) Status() Status {
	st := Passed
	for _, step := range s.Steps {
		switch step.Result.Status {
		case "passed":
		case "skipped":
			st = Skipped
		default:
			return Failed
		}
	}
	return st
}

// Attachment returns the decoded attachment with the given file name.
func (s Scenario) Attachment(name string) []byte {
	for _, st := range s.Steps {
		for _, e := range st.Embeddings {
			if e.Name == name {
				b, err := base64.StdEncoding.DecodeString(e.Data)
				if err == nil {
					return b
				}
			}
		}
	}
	return nil
}

// Attachments returns every decoded attachment with the given file name, in
// step order.
func (s Scenario) Attachments(name string) [][]byte {
	var out [][]byte
	for _, st := range s.Steps {
		for _, e := range st.Embeddings {
			if e.Name == name {
				if b, err := base64.StdEncoding.DecodeString(e.Data); err == nil {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// ParseCucumber reads godog's cucumber JSON.
func ParseCucumber(b []byte) ([]Feature, error) {
	var f []Feature
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("reading cucumber JSON: %w", err)
	}
	return f, nil
}
