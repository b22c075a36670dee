// Command alerts judges a Grafana alerting provisioning file with Grafana's own alert rule
// types (grafana-foundation-sdk v0.0.22, packages alerting and expr), strictly: every field
// known, of the right type, every required one present.
//
//	go run ./alerts <file.yaml>...
//
// Where the file format and the API types differ, the file's form is turned into the API's
// before decoding: a group's `folder` (a title) and `name` become each rule's `folderUID` and
// `ruleGroup`, its `orgId` the rule's `orgID`. Each data entry's model is decoded as its
// expression type (reduce, threshold) when it is one; a datasource's own model is the
// datasource's and is checked by the Rust side.
//
// It prints one line per failure and closes with "N passed, M failed"; exit 1 on a failure.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/grafana/grafana-foundation-sdk/go/alerting"
	"github.com/grafana/grafana-foundation-sdk/go/expr"
	"go.yaml.in/yaml/v3"

	"calicoscope/tests/grafana-sdk/internal/strict"
)

type file struct {
	APIVersion int     `yaml:"apiVersion"`
	Groups     []group `yaml:"groups"`
}

type group struct {
	OrgID    int64            `yaml:"orgId"`
	Name     string           `yaml:"name"`
	Folder   string           `yaml:"folder"`
	Interval string           `yaml:"interval"`
	Rules    []map[string]any `yaml:"rules"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: alerts <provisioning file.yaml>...")
		os.Exit(2)
	}
	passed, failed := 0, 0
	for _, path := range os.Args[1:] {
		problems, rules := judgeFile(path)
		for _, p := range problems {
			fmt.Printf("FAIL %s: %s\n", path, p)
		}
		failed += len(problems)
		passed += rules - len(problems)
	}
	fmt.Printf("grafana-foundation-sdk alerting: %d passed, %d failed\n", passed, failed)
	if failed > 0 || passed == 0 {
		os.Exit(1)
	}
}

// judgeFile returns a problem per failing rule (or one for the file) and the rule count.
func judgeFile(path string) ([]string, int) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return []string{err.Error()}, 1
	}
	var f file
	if err := yaml.Unmarshal(raw, &f); err != nil {
		return []string{err.Error()}, 1
	}
	if f.APIVersion != 1 || len(f.Groups) == 0 {
		return []string{"not an apiVersion 1 file with groups"}, 1
	}
	var problems []string
	rules := 0
	for _, g := range f.Groups {
		if g.Name == "" || g.Folder == "" || g.Interval == "" {
			problems = append(problems, fmt.Sprintf("group %q: name, folder and interval are required", g.Name))
		}
		for _, r := range g.Rules {
			rules++
			if err := judgeRule(g, r); err != nil {
				problems = append(problems, fmt.Sprintf("%s/%v: %v", g.Name, r["title"], err))
			}
		}
	}
	return problems, rules
}

func judgeRule(g group, r map[string]any) error {
	api := map[string]any{"folderUID": g.Folder, "ruleGroup": g.Name, "orgID": g.OrgID}
	for k, v := range r {
		api[k] = v
	}
	raw, err := json.Marshal(api)
	if err != nil {
		return err
	}
	var rule alerting.Rule
	if err := strict.Err(rule.UnmarshalJSONStrict(raw)); err != nil {
		return fmt.Errorf("rule: %w", err)
	}
	// The strict decoder reads enums as plain strings: check them against the types' values.
	if !oneOf(rule.NoDataState, alerting.RuleNoDataStateOK, alerting.RuleNoDataStateAlerting,
		alerting.RuleNoDataStateNoData, alerting.RuleNoDataStateKeepLast) {
		return fmt.Errorf("noDataState %q is none of Grafana's", rule.NoDataState)
	}
	if !oneOf(rule.ExecErrState, alerting.RuleExecErrStateOK, alerting.RuleExecErrStateAlerting,
		alerting.RuleExecErrStateError, alerting.RuleExecErrStateKeepLast) {
		return fmt.Errorf("execErrState %q is none of Grafana's", rule.ExecErrState)
	}
	refs := map[string]bool{}
	for _, q := range r["data"].([]any) {
		if err := judgeQuery(q.(map[string]any)); err != nil {
			return err
		}
		refs[q.(map[string]any)["refId"].(string)] = true
	}
	if !refs[rule.Condition] {
		return fmt.Errorf("condition %q names no query", rule.Condition)
	}
	return nil
}

func judgeQuery(q map[string]any) error {
	raw, _ := json.Marshal(q)
	var query alerting.Query
	if err := strict.Err(query.UnmarshalJSONStrict(raw)); err != nil {
		return fmt.Errorf("query %v: %w", q["refId"], err)
	}
	model, _ := json.Marshal(q["model"])
	switch q["model"].(map[string]any)["type"] {
	case "reduce":
		var m expr.TypeReduce
		if err := strict.Err(m.UnmarshalJSONStrict(model)); err != nil {
			return named(q, err)
		}
		if !oneOf(m.Reducer, expr.TypeReduceReducerSum, expr.TypeReduceReducerMean,
			expr.TypeReduceReducerMin, expr.TypeReduceReducerMax, expr.TypeReduceReducerCount,
			expr.TypeReduceReducerLast, expr.TypeReduceReducerMedian) {
			return named(q, fmt.Errorf("reducer %q is none of Grafana's", m.Reducer))
		}
		if m.Settings != nil && !oneOf(m.Settings.Mode, expr.ExprTypeReduceSettingsModeDropNN,
			expr.ExprTypeReduceSettingsModeReplaceNN) {
			return named(q, fmt.Errorf("reduce mode %q is none of Grafana's", m.Settings.Mode))
		}
		return nil
	case "threshold":
		var m expr.TypeThreshold
		if err := strict.Err(m.UnmarshalJSONStrict(model)); err != nil {
			return named(q, err)
		}
		for _, c := range m.Conditions {
			// gt and lt only: the others (gte, lte, ...) are newer than Grafana 10.4.
			if !oneOf(c.Evaluator.Type, expr.ExprTypeThresholdConditionsEvaluatorTypeGt,
				expr.ExprTypeThresholdConditionsEvaluatorTypeLt) || len(c.Evaluator.Params) != 1 {
				return named(q, fmt.Errorf("evaluator %q %v: want gt or lt and one threshold",
					c.Evaluator.Type, c.Evaluator.Params))
			}
		}
		return nil
	}
	if q["datasourceUid"] == "__expr__" {
		return fmt.Errorf("query %v: an expression of a type this check does not know", q["refId"])
	}
	return nil
}

func oneOf[T comparable](v T, allowed ...T) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func named(q map[string]any, err error) error {
	if err != nil {
		return fmt.Errorf("expression %v: %w", q["refId"], err)
	}
	return nil
}
