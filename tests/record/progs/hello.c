#include <stdio.h>
static int table[4096];
int main(void){ for(int i=0;i<4096;i++) table[i]=i*3; printf("%d\n", table[77]); return 0; }
