package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Rate limits on by default (issue 15): PocketBase's limiter, per client
// address, with rules fitted to this API, plus the two tag rules that carry
// the numbers of toolbase's own limits per API key or user (hooks/ratelimit):
// "toolbase_use" (POST .../use/) and "toolbase_write" (the write routes of
// keys, payouts, refunds and tickets). All of them are edited, and switched
// off, in the dashboard (Settings > Application > Rate limiting).
//
// An install whose operator already enabled the limiter keeps its rules and
// only gains the two tag rules.
func init() {
	m.Register(func(app core.App) error {
		settings := app.Settings()
		rl := &settings.RateLimits
		own := []core.RateLimitRule{
			// a burst of 60 uses, then 6 a second, per key (or per user for a token)
			{Label: "toolbase_use", Audience: "@auth", MaxRequests: 60, Duration: 10},
			// 20 money or credential writes, then one every 3 s, per key or user
			{Label: "toolbase_write", Audience: "@auth", MaxRequests: 20, Duration: 60},
		}
		if !rl.Enabled {
			rl.Enabled = true
			rl.Rules = []core.RateLimitRule{
				// the records API's logins (the DRF API's /api/token/ has its own
				// failed-login throttle besides)
				{Label: "*:auth", MaxRequests: 5, Duration: 10},
				{Label: "POST /api/token/", MaxRequests: 30, Duration: 60},
				{Label: "POST /api/users/register/", MaxRequests: 5, Duration: 60},
				{Label: "*:create", MaxRequests: 20, Duration: 5},
				{Label: "/api/batch", MaxRequests: 3, Duration: 1},
				// everything else: 300 requests per 10 s per address
				{Label: "/api/", MaxRequests: 300, Duration: 10},
			}
		}
		for _, r := range own {
			if !slices.ContainsFunc(rl.Rules, func(x core.RateLimitRule) bool { return x.Label == r.Label }) {
				rl.Rules = append(rl.Rules, r)
			}
		}
		return app.Save(settings)
	}, func(app core.App) error {
		settings := app.Settings()
		settings.RateLimits.Enabled = false
		settings.RateLimits.Rules = slices.DeleteFunc(settings.RateLimits.Rules, func(r core.RateLimitRule) bool {
			return r.Label == "toolbase_use" || r.Label == "toolbase_write"
		})
		return app.Save(settings)
	})
}
