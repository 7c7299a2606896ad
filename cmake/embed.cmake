# Turn a text file into a C string: -DIN=file -DOUT=file.c (symbol: mmsim_default_scenario).
file(READ ${IN} text)
string(REPLACE "\\" "\\\\" text "${text}")
string(REPLACE "\"" "\\\"" text "${text}")
string(REPLACE "\n" "\\n\"\n\"" text "${text}")
file(WRITE ${OUT} "/* generated from configs/default.yaml */\nconst char mmsim_default_scenario[] =\n\"${text}\";\n")
