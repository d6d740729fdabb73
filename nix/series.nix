# The patch files a series file in patches/ names, in order, relative to patches/ (a
# series names them relative to its own directory, patches/<version>/): read from the file,
# never repeated here. Same rules as litellm_batch_fixes.patches.read_series: `#` starts a
# comment, blank lines are skipped, the first word of a line names the patch.
{ lib }:
seriesFile:
let
  raw = builtins.readFile (../patches + "/${seriesFile}");
  text = builtins.replaceStrings [ "\t" "\r" ] [ " " "" ] raw;
  lines = lib.splitString "\n" text;
  uncommented = map (line: builtins.head (lib.splitString "#" line)) lines;
  words = map (line: builtins.filter (w: w != "") (lib.splitString " " line)) uncommented;
  directory = dirOf seriesFile;
in
map (ws: "${directory}/${builtins.head ws}") (builtins.filter (ws: ws != [ ]) words)
