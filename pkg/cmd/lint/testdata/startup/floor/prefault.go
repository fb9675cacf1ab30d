//go:build prefault

package main

// Built with -tags prefault, the floor also gets platformctl's start-up
// prefaulting, to show what is left once page faults are batched.
import _ "github.com/platformctl/platformctl/pkg/startup"
