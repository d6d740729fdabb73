# The patch files named in patches/series, in order: read from the file, never repeated
# here. Same rules as litellm_batch_fixes.patches.read_series: `#` starts a comment,
# blank lines are skipped, the first word of a line names the patch.
{ lib }:
let
  text = builtins.replaceStrings [ "\t" "\r" ] [ " " "" ] (builtins.readFile ../patches/series);
  lines = lib.splitString "\n" text;
  uncommented = map (line: builtins.head (lib.splitString "#" line)) lines;
  words = map (line: builtins.filter (w: w != "") (lib.splitString " " line)) uncommented;
in
map builtins.head (builtins.filter (ws: ws != [ ]) words)
