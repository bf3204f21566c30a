# make install PREFIX=... DESTDIR=...: header, both libraries, pkg-config.
LIBDIR ?= $(PREFIX)/lib
INCDIR ?= $(PREFIX)/include
$(BUILD)/wrapgemm.pc: mk/install.mk include/wrapgemm.h
	@mkdir -p $(dir $@)
	printf '%s\n' 'prefix=$(PREFIX)' 'libdir=$(LIBDIR)' 'includedir=$(INCDIR)' '' \
	  'Name: wrapgemm' \
	  'Description: Quantized GEMM and convolution with wrap-around low-bit accumulators' \
	  'Version: $(VERSION)' 'Libs: -L$${libdir} -lwrapgemm' 'Libs.private: -lm -lpthread' \
	  'Cflags: -I$${includedir}' > $@
install: $(LIB_A) $(LIB_SO) $(BUILD)/wrapgemm.pc
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCDIR)
	install -m 644 include/wrapgemm.h $(DESTDIR)$(INCDIR)/
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libwrapgemm.so.$(VERSION)
	ln -sf libwrapgemm.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libwrapgemm.so.0
	ln -sf libwrapgemm.so.0 $(DESTDIR)$(LIBDIR)/libwrapgemm.so
	install -m 644 $(BUILD)/wrapgemm.pc $(DESTDIR)$(LIBDIR)/pkgconfig/

# The installed header, libraries and pkg-config file are enough to build
# the README example: install into a scratch DESTDIR and build against it.
TEST_LANES += test-install
test-install: $(BUILD)/readme_example.c
	rm -rf $(BUILD)/stage
	$(MAKE) --no-print-directory install DESTDIR=$(CURDIR)/$(BUILD)/stage PREFIX=/usr
	PKG_CONFIG_SYSROOT_DIR=$(CURDIR)/$(BUILD)/stage \
	PKG_CONFIG_LIBDIR=$(CURDIR)/$(BUILD)/stage/usr/lib/pkgconfig \
	  sh -c '$(CC) -std=c11 -o $(BUILD)/readme_installed $(BUILD)/readme_example.c $$(pkg-config --cflags --libs --static wrapgemm)'
	LD_LIBRARY_PATH=$(CURDIR)/$(BUILD)/stage/usr/lib $(RUN) ./$(BUILD)/readme_installed > /dev/null
	@echo "test-install: ok"
