#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build one stub-kernel fixture from testdata/kernel/stub at test time.

usage: mkkernel.py --cc CC --objcopy OBJCOPY [--pahole PAHOLE] [--zstd ZSTD]
                   --src STUBDIR VARIANT OUTPUT

A variant is a kind of kernel (version, page size, which symbols, struct
members and config options it has) in one wrapping (vmlinux ELF with or
without BTF, raw Image, gzip/xz/zstd Image, EFI zboot) or one kind of damage.
Everything is generated; nothing binary is committed.
"""
import argparse
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile

PAGES = {None: 0, '4K': 1, '16K': 2, '64K': 3}

# name: kernel shape. 'config' None means no IKCONFIG; 'flags_page' None leaves
# the header's page-size bits at 0 (unspecified) so the config must say.
BASE = dict(version='6.15.0', page='4K', flags_page='same', defines=[], config=None,
            form='elf', damage=None, arch='arm64', sysmap=False, uts=None, flags_symbol=False)

REALM = ['HAVE_RSI', 'HAVE_RMEM']
CFG_REALM = dict(DMA_RESTRICTED_POOL='y', SWIOTLB='y', RODATA_FULL_DEFAULT_ENABLED='y')
CFG_PKVM = dict(CFG_REALM, ARM_PKVM_GUEST='y')

VARIANTS = {
    # realms
    'realm-6.15-4k': dict(defines=REALM, config=CFG_REALM),
    'realm-6.15-64k': dict(page='64K', defines=REALM, config=CFG_REALM),
    'realm-6.14.1-64k': dict(version='6.14.1', page='64K', defines=REALM, config=CFG_REALM),
    'realm-6.14.2-64k': dict(version='6.14.2', page='64K', defines=REALM, config=CFG_REALM),
    # Debian's release is its ABI name; the banner names the upstream version
    'debian-6.14.0-64k': dict(version='6.14.0-3-arm64', page='64K', defines=REALM,
                              uts='#1 SMP Debian 6.14.2-1 (2025-04-20)', config=CFG_REALM),
    # header unreadable: page size from the _kernel_flags_le_lo32 absolute symbol (image.h)
    'flagsym-64k': dict(page='64K', defines=REALM + ['NO_MAGIC'], flags_symbol=True),
    'distro-6.14.0-64k': dict(version='6.14.0-15-generic', page='64K', defines=REALM, config=CFG_REALM),
    'norealm-6.12-64k': dict(version='6.12.9', page='64K', defines=['HAVE_RMEM'], config=CFG_REALM),
    'realm-helpers-4k': dict(defines=REALM + ['HAVE_GRANULE_HELPERS'], config=CFG_REALM),
    'realm-split-nofix': dict(version='6.18.0', page='64K', defines=REALM + ['HAVE_SPLIT'],
                              config=CFG_REALM),
    'realm-split-fix': dict(version='7.1.0', page='64K',
                            defines=REALM + ['HAVE_SPLIT', 'HAVE_PAGE_ALLOC_AVAILABLE'],
                            config=CFG_REALM),
    'realm-dynamic': dict(page='64K', defines=REALM + ['SWIOTLB_DYNAMIC'],
                          config=dict(CFG_REALM, SWIOTLB_DYNAMIC='y')),
    # pKVM
    'pkvm-4k': dict(version='6.12.9', defines=['HAVE_PKVM', 'HAVE_RMEM'], config=CFG_PKVM),
    'pkvm-64k': dict(version='6.12.9', page='64K', defines=['HAVE_PKVM', 'HAVE_RMEM'],
                     config=CFG_PKVM),
    'pkvm-norestricted': dict(version='6.12.9', page='64K', defines=['HAVE_PKVM'],
                              config=dict(CFG_PKVM, DMA_RESTRICTED_POOL=None)),
    'pkvm-poolstate': dict(version='7.2.0', page='64K',
                           defines=['HAVE_PKVM', 'HAVE_RMEM', 'POOL_STATE=cc_shared'],
                           config=CFG_PKVM),
    'pkvm-poolstate-btf': dict(version='7.2.0', page='64K',
                               defines=['HAVE_PKVM', 'HAVE_RMEM', 'POOL_STATE=unencrypted'],
                               config=CFG_PKVM, form='btf'),
    # no config at all: probes fall back to symbols and DWARF members
    'pkvm-noconfig-dynamic': dict(version='6.12.9', page='64K',
                                  defines=['HAVE_PKVM', 'HAVE_RMEM', 'SWIOTLB_DYNAMIC']),
    'pkvm-noconfig-noaranges': dict(version='6.12.9', page='64K',
                                    defines=['HAVE_PKVM', 'HAVE_RMEM', 'SWIOTLB_DYNAMIC'],
                                    damage='noaranges'),
    'noflags-16k': dict(page='16K', flags_page=None, defines=REALM,
                        config=dict(CFG_REALM, ARM64_16K_PAGES='y')),
    # wrappings of realm-6.15-4k
    'image': dict(defines=REALM, config=CFG_REALM, form='image'),
    'image-gz': dict(defines=REALM, config=CFG_REALM, form='image.gz'),
    'image-efistub': dict(defines=REALM, config=CFG_REALM, form='image', damage='efistub'),
    'image-sysmap': dict(defines=REALM, config=CFG_REALM, form='image', sysmap=True),
    'image-xz': dict(defines=REALM, config=CFG_REALM, form='image.xz'),
    'image-zst': dict(defines=REALM, config=CFG_REALM, form='image.zst'),
    'zboot-gzip': dict(defines=REALM, config=CFG_REALM, form='zboot-gzip'),
    'zboot-zstd': dict(defines=REALM, config=CFG_REALM, form='zboot-zstd'),
    'vmlinux-gz': dict(defines=REALM, config=CFG_REALM, form='elf.gz'),
    # not arm64, or damaged
    'x86-64': dict(arch='x86_64', defines=REALM, config=CFG_REALM),
    'image-bigendian': dict(defines=REALM, form='image', damage='bigendian'),
    'elf-truncated': dict(defines=REALM, damage='truncate'),
    'image-gz-truncated': dict(defines=REALM, form='image.gz', damage='truncate'),
    'zboot-badoffset': dict(defines=REALM, form='zboot-gzip', damage='zboot-offset'),
    'zboot-lz4': dict(defines=REALM, form='zboot-gzip', damage='zboot-lz4'),
    'ikconfig-corrupt': dict(defines=REALM, config=CFG_REALM, damage='ikconfig'),
    'btf-corrupt': dict(defines=REALM, config=CFG_REALM, form='btf', damage='btf'),
}


def run(cmd, cwd=None):
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    if r.returncode:
        sys.exit(f'{" ".join(cmd)}: {r.stderr}')


def config_text(opts, page):
    lines = ['# stub kernel config', f'CONFIG_ARM64_{page}_PAGES=y', 'CONFIG_IKCONFIG=y']
    for k, v in sorted(opts.items()):
        lines.append(f'CONFIG_{k}={v}' if v else f'# CONFIG_{k} is not set')
    return '\n'.join(lines) + '\n'


def build_elf(a, v, tmp):
    out = os.path.join(tmp, 'vmlinux')
    flags_page = v['page'] if v['flags_page'] == 'same' else v['flags_page']
    flags = PAGES[flags_page] << 1 | (1 << 3)
    defs = [f'-D{d}' for d in v['defines']] + [f'-DKVER="{v["version"]}"',
                                               f'-DIMAGE_FLAGS={flags}']
    if v['uts']:
        defs.append(f'-DUTS_VERSION="{v["uts"]}"')
    if v['flags_symbol']:  # arch/arm64/kernel/image.h DEFINE_IMAGE_LE64(_kernel_flags_le, ...)
        defs.append(f'-Wl,--defsym=_kernel_flags_le_lo32={flags}')
    # Laid out and compiled from the top like kbuild does, so DWARF CU names
    # are the kernel's own (kernel/dma/swiotlb.c) whatever the build directory.
    layout = {'head.S': 'arch/arm64/kernel/head.S', 'kernel.c': 'init/version.c',
              'swiotlb.c': 'kernel/dma/swiotlb.c', 'ikconfig.S': 'kernel/configs.S'}
    for f, dst in layout.items():
        os.makedirs(os.path.join(tmp, os.path.dirname(dst)), exist_ok=True)
        shutil.copy(os.path.join(a.src, f), os.path.join(tmp, dst))
    srcs = [layout[f] for f in ('head.S', 'kernel.c', 'swiotlb.c')]
    if v['config'] is not None:
        gz = os.path.join(tmp, 'config.gz')
        data = config_text(v['config'], v['page']).encode()
        if v['damage'] == 'ikconfig':
            data = gzip.compress(data, mtime=0)[:40]  # cut inside the deflate stream
        else:
            data = gzip.compress(data, mtime=0)
        open(gz, 'wb').write(data)
        defs.append('-DCONFIG_GZ="config.gz"')
        srcs.append(layout['ikconfig.S'])
    if v['arch'] == 'arm64':
        cmd = [a.cc, '-g', '-O1', '-ffreestanding', '-fno-pic', '-nostdlib', '-static',
               '-Wl,--build-id=none', '-Wl,-T,' + os.path.abspath(os.path.join(a.src, 'stub.lds'))]
    else:  # a valid kernel-shaped ELF for another architecture: the host compiler
        cmd = ['cc', '-g', '-O1', '-ffreestanding', '-fno-pic', '-nostdlib', '-static',
               '-Wl,--build-id=none', '-Wl,-e,start_kernel', '-DIMAGE_FLAGS=0']
        srcs = [s for s in srcs if not s.endswith('head.S')]
    run(cmd + defs + ['-fdebug-prefix-map=' + tmp + '=.'] + srcs + ['-o', out], cwd=tmp)
    if v['damage'] == 'noaranges':  # DWARF lookups must then go by CU name
        run([a.objcopy, '--remove-section', '.debug_aranges', out])
    return out


def zboot(image, comp):
    """drivers/firmware/efi/libstub/zboot-header.S: MZ, "zimg", payload offset/size, type."""
    if comp == 'gzip':
        payload = gzip.compress(image, mtime=0)
    else:
        payload = comp
    hdr = bytearray(0x40)
    hdr[0:2] = b'MZ'
    hdr[4:8] = b'zimg'
    struct.pack_into('<II', hdr, 8, 0x40, len(payload))
    hdr[0x18:0x18 + 5] = b'gzip\0'
    hdr[0x38:0x3c] = b'ARM\x64'
    return bytes(hdr) + payload


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cc', required=True)
    ap.add_argument('--objcopy', required=True)
    ap.add_argument('--pahole')
    ap.add_argument('--zstd')
    ap.add_argument('--src', required=True)
    ap.add_argument('variant')
    ap.add_argument('output')
    a = ap.parse_args()
    v = dict(BASE, **VARIANTS[a.variant])
    with tempfile.TemporaryDirectory() as tmp:
        elf = build_elf(a, v, tmp)
        if v['sysmap']:  # what the kernel's scripts/mksysmap writes: 'ADDRESS TYPE NAME'
            nm = subprocess.run([a.objcopy.replace('objcopy', 'nm'), '-n', elf],
                                capture_output=True, text=True, check=True).stdout
            open(a.output + '.map', 'w').write(nm)
        form = v['form']
        if form == 'btf':
            if not a.pahole:
                sys.exit('pahole is needed for BTF fixtures (package dwarves)')
            run([a.pahole, '-J', elf])
        if form.startswith('image') or form.startswith('zboot'):
            img = os.path.join(tmp, 'Image')
            run([a.objcopy, '-O', 'binary', elf, img])
            data = open(img, 'rb').read()
        else:
            data = open(elf, 'rb').read()
        if v['damage'] == 'efistub':  # with CONFIG_EFI, code0 starts with "MZ" (booting.rst)
            data = b'MZ' + data[2:]
        if v['damage'] == 'bigendian':
            data = bytearray(data)
            data[0x18] |= 1
            data = bytes(data)
        if form in ('image.gz', 'elf.gz'):
            data = gzip.compress(data, mtime=0)
        elif form == 'image.xz':
            data = lzma.compress(data, format=lzma.FORMAT_XZ)
        elif form == 'image.zst':
            data = subprocess.run([a.zstd, '-q', '-c', '-19'], input=data, capture_output=True,
                                  check=True).stdout
        elif form == 'zboot-gzip':
            data = zboot(data, 'gzip')
        elif form == 'zboot-zstd':
            payload = subprocess.run([a.zstd, '-q', '-c', '-19'], input=data, capture_output=True,
                                     check=True).stdout
            hdr = bytearray(zboot(b'', 'gzip')[:0x40])
            struct.pack_into('<I', hdr, 12, len(payload))
            hdr[0x18:0x18 + 7] = b'zstd22\0'
            data = bytes(hdr) + payload + struct.pack('<I', 0)
        if v['damage'] == 'truncate':
            data = data[:len(data) // 3]
        elif v['damage'] == 'zboot-offset':
            data = bytearray(data)
            struct.pack_into('<I', data, 8, len(data) + 0x1000)
            data = bytes(data)
        elif v['damage'] == 'zboot-lz4':
            data = bytearray(data)
            data[0x18:0x18 + 4] = b'lz4\0'
            data = bytes(data)
        elif v['damage'] == 'btf':
            data = bytearray(data)
            off = data.find(b'\x9f\xeb\x01')  # BTF magic 0xeB9F, version 1
            if off < 0:
                sys.exit('no .BTF section to damage')
            struct.pack_into('<I', data, off + 12, 0x7fffffff)  # type_len past the section
            data = bytes(data)
        open(a.output, 'wb').write(data)


if __name__ == '__main__':
    main()
