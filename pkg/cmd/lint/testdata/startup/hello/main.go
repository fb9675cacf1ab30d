// Command hello is the start-up reference: a Go program that links only
// the standard library and prints a line.
package main

import "fmt"

func main() { fmt.Println("hello") }
