package spec

import "bytes"

// textEncoding names the Unicode encoding of data when it is one YAML
// allows but the loader does not read (UTF-16 or UTF-32), from its byte
// order mark or, without one, from the pattern of zero bytes around the
// first character, the way YAML 1.2 (section 5.2) detects an encoding: the
// first character of a YAML stream is ASCII. It returns "" for UTF-8, with
// or without a byte order mark.
//
// Detecting it is worth it because editors on Windows (and PowerShell's
// `>` redirection) write UTF-16 by default, and "binary" sends the user
// looking for the wrong problem.
func textEncoding(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte{0x00, 0x00, 0xFE, 0xFF}):
		return "UTF-32BE"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return "UTF-32LE"
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "UTF-16BE"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return "UTF-16LE"
	}
	if len(data) >= 4 {
		switch {
		case data[0] == 0 && data[1] == 0 && data[2] == 0 && data[3] != 0:
			return "UTF-32BE"
		case data[0] != 0 && data[1] == 0 && data[2] == 0 && data[3] == 0:
			return "UTF-32LE"
		}
	}
	if len(data) >= 2 {
		switch {
		case data[0] == 0 && data[1] != 0:
			return "UTF-16BE"
		case data[0] != 0 && data[1] == 0:
			return "UTF-16LE"
		}
	}
	return ""
}

// encodingMessage says what the file is and how to make it UTF-8.
func encodingMessage(enc, file string) string {
	// The exact name, not plain UTF-16: without a byte order mark iconv
	// would assume big endian. A mark it copies becomes a UTF-8 one, which
	// the loader accepts.
	return "file is " + enc + " text; platformctl reads UTF-8 (with or without a byte order mark): convert it, e.g. `iconv -f " +
		enc + " -t UTF-8 " + file + " > " + file + ".new && mv " + file + ".new " + file + "`, or save it as UTF-8 in the editor"
}
