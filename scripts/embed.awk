# A text file as a C string: awk -v name=NAME -f scripts/embed.awk FILE >FILE.h
# gives "static const char NAME[] = ...;", byte for byte the file (every line
# ends in \n).  Used by the Makefile for the files of EMBEDDED.
BEGIN {
	printf "/* Generated from %s by the Makefile (scripts/embed.awk): do not edit. */\n", ARGV[1]
	printf "static const char %s[] =\n", name
}
{
	gsub(/\\/, "\\\\\\\\")
	gsub(/"/, "\\\"")
	gsub(/\t/, "\\t")
	printf "\t\"%s\\n\"\n", $0
}
END {
	print "\t;"
}
