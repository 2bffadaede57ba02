module github.com/launchwatch/launchwatch

go 1.26.0
