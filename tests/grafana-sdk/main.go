// Command decode judges Calicoscope's frames with Grafana's own Go decoder.
//
// It reads a folder written by backend/tests/grafana_decoder.rs: Arrow frames exactly as the
// plugin sent them over QueryData, and manifest.json saying what each frame should be.
// Every frame is decoded with data.UnmarshalArrowFrame, as Grafana's server does, and
// checked: frame type and type version, field types, labels, unit and display name where
// Grafana reads them, and the values.
//
//	go run . <folder>
//
// It prints one line per failure and closes with "N passed, M failed"; exit 1 on a failure.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"

	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Expected is what the Rust side put into one frame.
type Expected struct {
	File string `json:"file"`
	// "range", "instant" or "table".
	Kind   string          `json:"kind"`
	Name   string          `json:"name"`
	Fields []ExpectedField `json:"fields"`
	Rows   int             `json:"rows"`
	// The first frame of a query carries the PromQL it ran.
	Executed bool `json:"executed"`
}

type ExpectedField struct {
	Name   string            `json:"name"`
	Type   string            `json:"type"` // "time", "number", "string"
	Labels map[string]string `json:"labels"`
	Unit   string            `json:"unit"`
	// DisplayNameFromDS, when the query has a legend.
	Display string `json:"display"`
	// First and last values of a number field; absent when not finite.
	First *float64 `json:"first"`
	Last  *float64 `json:"last"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: decode <folder with manifest.json and .arrow frames>")
		os.Exit(2)
	}
	dir := os.Args[1]
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var want []Expected
	if err := json.Unmarshal(raw, &want); err != nil {
		fmt.Fprintln(os.Stderr, "manifest.json:", err)
		os.Exit(2)
	}
	passed, failed := 0, 0
	for _, w := range want {
		problems := judge(dir, w)
		for _, p := range problems {
			fmt.Printf("FAIL %s: %s\n", w.File, p)
		}
		if len(problems) == 0 {
			passed++
		} else {
			failed++
		}
	}
	fmt.Printf("grafana-sdk-go decoder: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		os.Exit(1)
	}
}

func judge(dir string, w Expected) []string {
	b, err := os.ReadFile(filepath.Join(dir, w.File))
	if err != nil {
		return []string{err.Error()}
	}
	f, err := data.UnmarshalArrowFrame(b)
	if err != nil {
		return []string{"UnmarshalArrowFrame: " + err.Error()}
	}
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if f.Name != w.Name {
		bad("name %q, want %q", f.Name, w.Name)
	}
	if f.Meta == nil {
		if w.Kind != "table" {
			return append(out, "no meta")
		}
		f.Meta = &data.FrameMeta{}
	}
	switch w.Kind {
	case "range":
		if f.Meta.Type != data.FrameTypeTimeSeriesMulti {
			bad("type %q, want timeseries-multi", f.Meta.Type)
		}
	case "instant":
		if f.Meta.Type != data.FrameTypeNumericMulti {
			bad("type %q, want numeric-multi", f.Meta.Type)
		}
	}
	if w.Kind != "table" && f.Meta.TypeVersion != (data.FrameTypeVersion{0, 1}) {
		bad("typeVersion %v, want 0.1", f.Meta.TypeVersion)
	}
	if w.Executed && f.Meta.ExecutedQueryString == "" {
		bad("no executedQueryString")
	}
	if len(f.Fields) != len(w.Fields) {
		return append(out, fmt.Sprintf("%d fields, want %d", len(f.Fields), len(w.Fields)))
	}
	if rows, _ := f.RowLen(); rows != w.Rows {
		bad("%d rows, want %d", rows, w.Rows)
	}
	for i, wf := range w.Fields {
		out = append(out, judgeField(f.Fields[i], wf, w.Rows)...)
	}
	return out
}

func judgeField(got *data.Field, w ExpectedField, rows int) []string {
	var out []string
	bad := func(format string, args ...any) {
		out = append(out, fmt.Sprintf("field %s: ", w.Name)+fmt.Sprintf(format, args...))
	}
	if got.Name != w.Name {
		bad("name %q", got.Name)
	}
	switch w.Type {
	case "time":
		if got.Type() != data.FieldTypeTime {
			bad("type %s, want time", got.Type())
		}
	case "number":
		if got.Type() != data.FieldTypeFloat64 && got.Type() != data.FieldTypeNullableFloat64 {
			bad("type %s, want float64", got.Type())
		}
	case "string":
		if got.Type() != data.FieldTypeString {
			bad("type %s, want string", got.Type())
		}
	}
	labels := map[string]string(got.Labels)
	if len(labels) == 0 {
		labels = nil
	}
	want := w.Labels
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(labels, want) {
		bad("labels %v, want %v", labels, want)
	}
	unit, display := "", ""
	if got.Config != nil {
		unit, display = got.Config.Unit, got.Config.DisplayNameFromDS
	}
	if unit != w.Unit {
		bad("unit %q, want %q", unit, w.Unit)
	}
	if display != w.Display {
		bad("displayNameFromDS %q, want %q", display, w.Display)
	}
	if w.Type == "number" && rows > 0 {
		for _, c := range []struct {
			at   int
			want *float64
		}{{0, w.First}, {rows - 1, w.Last}} {
			v, ok := got.ConcreteAt(c.at)
			if !ok {
				if c.want != nil {
					bad("value %d is null, want %v", c.at, *c.want)
				}
				continue
			}
			if c.want != nil && v.(float64) != *c.want {
				bad("value %d is %v, want %v", c.at, v, *c.want)
			}
		}
	}
	return out
}
