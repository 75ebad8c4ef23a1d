/* Declarations only: see stdio.h. */
#ifndef DGI_WEB_UNISTD_H
#define DGI_WEB_UNISTD_H
#define _SC_PAGESIZE 30
long sysconf(int);
#endif
