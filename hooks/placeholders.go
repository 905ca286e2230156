package hooks

// Temporary: each is replaced by its capability's file.

func bindToolRoutes(authed group)   {}
func bindUseRoutes(authed group)    {}
func bindPointsRoutes(authed group) {}
