// Package strict reads grafana-foundation-sdk's strict decoders' answers.
package strict

import (
	"errors"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
)

// Err is the strict decoder's error, or nil: v0.0.22 returns an empty cog.BuildErrors (a
// non-nil error holding no error) from some nested decoders when nothing is wrong.
func Err(err error) error {
	var build cog.BuildErrors
	if errors.As(err, &build) && len(build) == 0 {
		return nil
	}
	return err
}
