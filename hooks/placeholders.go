package hooks

import "github.com/pocketbase/pocketbase/core"

// Temporary: each is replaced by its capability's file.

func bindPointsRoutes(authed group)   {}
func bindAPIKeys(app core.App)        {}
func bindKeyRoutes(authed group)      {}
func bindFeedback(app core.App)       {}
func bindFeedbackRoutes(authed group) {}
func bindStatsRoutes(authed group)    {}
