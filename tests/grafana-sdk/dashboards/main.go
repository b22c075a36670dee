// Command dashboards judges dashboard JSON with Grafana's own dashboard types: each file is
// decoded with grafana-foundation-sdk's Dashboard.UnmarshalJSONStrict (every field known to
// Grafana's schema, panel options and queries of the registered plugins included) and then
// checked by Validate, as the SDK's users build dashboards.
//
//	go run ./dashboards <file.json>...
//
// It prints one line per failure and closes with "N passed, M failed"; exit 1 on a failure.
package main

import (
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/cog/plugins"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"calicoscope/tests/grafana-sdk/internal/strict"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: dashboards <dashboard.json>...")
		os.Exit(2)
	}
	plugins.RegisterDefaultPlugins()
	passed, failed := 0, 0
	for _, path := range os.Args[1:] {
		if err := judge(path); err != nil {
			fmt.Printf("FAIL %s: %v\n", path, err)
			failed++
		} else {
			passed++
		}
	}
	fmt.Printf("grafana-foundation-sdk dashboards: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		os.Exit(1)
	}
}

func judge(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var d dashboard.Dashboard
	if err := strict.Err(d.UnmarshalJSONStrict(raw)); err != nil {
		return fmt.Errorf("strict decode: %w", err)
	}
	if err := d.Validate(); err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	return nil
}
