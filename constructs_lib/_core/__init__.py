"""Pure Python ground of the library: props and their checks, literals, errors and release
facts. Imports nothing outside itself (no cdktf, constructs or jsii), so validation never
starts Node."""
