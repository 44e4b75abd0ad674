#!/usr/bin/env python3
# Times the gateway's ffmpeg settings for VP8/VP9 (src/WorldCluster.Silo/Sessions/Streams/FfmpegIvfProcess.cs) on a
# synthetic moving square at 64x64, 256x256 and 1280x720: wall ms per frame (write RGB, read the frame back) and the
# bitrate at 20 Hz. Results: docs/sessions.md ("Stream formats", "Measured"). Run: python3 tools/measure-video-encode.py
import subprocess, struct, os, time, sys, math
def run(codec, w, h, n=100):
    args=['ffmpeg','-hide_banner','-loglevel','error','-f','rawvideo','-pix_fmt','rgb24','-s',f'{w}x{h}','-framerate','20','-i','pipe:0',
     '-fps_mode','passthrough','-an','-c:v',codec,'-pix_fmt','yuv420p','-deadline','realtime','-cpu-used','8','-lag-in-frames','0','-threads','1',
     '-b:v','1000000','-g','40','-f','ivf','-flush_packets','1','pipe:1']
    p=subprocess.Popen(args,stdin=subprocess.PIPE,stdout=subprocess.PIPE)
    fd=p.stdout.fileno()
    def readn(k):
        b=b''
        while len(b)<k: b+=os.read(fd,k-len(b))
        return b
    # moving square on gradient background
    base=bytearray(w*h*3)
    for y in range(h):
        for x in range(w):
            i=(y*w+x)*3; base[i]=(x*255)//w; base[i+1]=(y*255)//h; base[i+2]=90
    sq=max(4,w//8)
    frames=[]
    for t in range(n):
        f=bytearray(base)
        x0=(t*max(1,w//64))%(w-sq)
        for y in range(h//3,h//3+sq):
            f[(y*w+x0)*3:(y*w+x0+sq)*3]=bytes([220,30,40])*sq
        frames.append(bytes(f))
    total=0; times=[]
    c0=time.process_time()
    for t,f in enumerate(frames):
        s=time.perf_counter()
        p.stdin.write(f); p.stdin.flush()
        if t==0: readn(32)
        size,pts=struct.unpack('<IQ',readn(12)); readn(size)
        times.append(time.perf_counter()-s); total+=size
    p.stdin.close(); p.wait()
    times=sorted(times[1:])
    print(f"{codec:12s} {w}x{h}: wall ms/frame p50 {times[len(times)//2]*1000:.2f} p99 {times[int(len(times)*0.99)]*1000:.2f}; kbit/s at 20 Hz {total*8*20/n/1000:.0f}")
for (w,h) in [(64,64),(256,256),(1280,720)]:
    for c in ['libvpx','libvpx-vp9']:
        run(c,w,h)
