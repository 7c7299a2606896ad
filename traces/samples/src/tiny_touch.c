/* tiny_touch.c - maps 16 pages, writes one byte in each, reads them back, unmaps: a
 * small program for valgrind lackey (build static so the log has no dynamic loader).
 * Build: cc -O1 -static -o tiny_touch tiny_touch.c */
#include <sys/mman.h>
int main(void)
{
	char *p = mmap(0, 16 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 16; i++)
		p[i * 4096] = (char)i;
	int s = 0;
	for (int i = 0; i < 16; i++)
		s += p[i * 4096 + 8];
	munmap(p, 16 * 4096);
	return s == 0 ? 0 : 1;
}
