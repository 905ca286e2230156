package hooks

import "github.com/pocketbase/pocketbase/core"

// Temporary: each is replaced by its capability's file.

func bindTokenRoutes(public group)            {}
func bindUserRoutes(public, authed group)     {}
func bindToolRoutes(authed group)             {}
func bindPointsRoutes(authed group)           {}
func bindAPIKeys(app core.App)                {}
func bindKeyRoutes(authed group)              {}
func bindPlatform(app core.App)               {}
func bindPlatformRoutes(public, authed group) {}
