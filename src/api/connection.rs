//! Server connections whose HTTP/2 frames leave in as few writes as
//! possible: an answer's HEADERS, DATA and trailers in one `write`, and the
//! answers ready together in one.
//!
//! h2 decides once per connection how to send a DATA frame: on a socket
//! that takes vectored writes it keeps any payload of 256 bytes or more
//! aside and flushes before the next frame, so a typical answer (about
//! 1 KB) left in two system calls, HEADERS+DATA and then the 10-byte
//! trailers, and every answer of a busy connection needed its own. On a
//! socket that does not, h2 copies payloads under 1 KiB into its write
//! buffer and flushes once per batch of frames. [`Coalescing`] is that
//! socket: it reports no vectored writes and gathers what h2 writes
//! between two flushes in a buffer, so that larger payloads, which h2
//! hands over as a buffer and a payload, still leave in one call.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, BufWriter, ReadBuf};
use tonic::transport::server::Connected;

/// Bytes gathered between two flushes before they are written anyway: h2's
/// own write buffer is 16 KiB, and an answer's payload rarely exceeds this.
const GATHER: usize = 64 * 1024;

/// A server connection for h2: see the module documentation.
#[derive(Debug)]
pub struct Coalescing<T> {
    inner: BufWriter<T>,
}

impl<T: AsyncWrite> Coalescing<T> {
    /// Wraps an accepted connection.
    pub fn new(io: T) -> Coalescing<T> {
        Coalescing {
            inner: BufWriter::with_capacity(GATHER, io),
        }
    }
}

impl<T: AsyncRead + AsyncWrite + Unpin> AsyncRead for Coalescing<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Coalescing<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    /// No: this is what makes h2 copy small payloads into its buffer.
    fn is_write_vectored(&self) -> bool {
        false
    }
}

impl<T: Connected + AsyncWrite> Connected for Coalescing<T> {
    type ConnectInfo = T::ConnectInfo;

    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.get_ref().connect_info()
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn a_tcp_connection_reports_no_vectored_writes_once_wrapped() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, accepted) =
            tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
        let (server, _) = accepted.unwrap();
        assert!(
            server.is_write_vectored(),
            "tokio's socket takes vectored writes"
        );
        assert!(!Coalescing::new(server).is_write_vectored());
        drop(client);
    }

    #[tokio::test]
    async fn writes_between_flushes_arrive_together_and_only_after_the_flush() {
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut conn = Coalescing::new(a);
        conn.write_all(b"HEADERS").await.unwrap();
        conn.write_all(b"DATA").await.unwrap();
        conn.write_all(b"TRAILERS").await.unwrap();
        // Nothing has left before the flush.
        let mut probe = [0u8; 1];
        let early =
            tokio::time::timeout(std::time::Duration::from_millis(50), b.read(&mut probe)).await;
        assert!(early.is_err(), "bytes left before the flush");
        conn.flush().await.unwrap();
        let mut got = vec![0u8; 19];
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(got, b"HEADERSDATATRAILERS");
        // Reads pass through.
        b.write_all(b"ping").await.unwrap();
        let mut read = [0u8; 4];
        conn.read_exact(&mut read).await.unwrap();
        assert_eq!(&read, b"ping");
    }
}
