package hooks

// Temporary: each is replaced by its capability's file.

func bindUserRoutes(public, authed group) {}
func bindToolRoutes(authed group)         {}
func bindUseRoutes(authed group)          {}
func bindPointsRoutes(authed group)       {}
