package hooks

import "github.com/pocketbase/pocketbase/core"

// Temporary: each is replaced by its capability's file.

func bindFeedback(app core.App)       {}
func bindFeedbackRoutes(authed group) {}
func bindStatsRoutes(authed group)    {}
